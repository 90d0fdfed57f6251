"""JumpCloud's side, through its API: the stand-in that imitates it, and the client."""
