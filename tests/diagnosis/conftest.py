"""Why a check failed: causes, fixes and the evidence report."""
