"""What must be true before a device can enroll: the checklist, and the checks that can
confirm each item live (DNS, the web server, and the MDM's side through its API)."""
