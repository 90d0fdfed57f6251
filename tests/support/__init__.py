"""What the tests share, in one place: the constants (`constants`), real HTTPS servers on
loopback (`https_server`), real nginx, Apache and Caddy (`web_servers`), imitations of what
real services send (`services`), running a verification (`verifying`) or a command
(`commands`), and the wizard with pinned setups (`wizard_app`). A test module imports from
here, never from another test module."""
