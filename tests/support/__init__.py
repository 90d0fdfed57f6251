"""What the tests share, in one place: the constants (`constants`), real HTTPS servers on
loopback (`https_server`), real nginx, Apache and Caddy (`web_servers`), imitations of what
real services send (`services`), running a verification (`verifying`) or a command
(`commands`), a blocking-socket server for the extended-master-secret probe
(`ems_probing`), preparing artifacts as `generate` does (`generating`), the wizard with pinned
setups (`wizard_app`), and JumpCloud's API as its published documents describe it
(`jumpcloud_api`, with `jumpcloud_state` and `jumpcloud_rules`), reached directly or through
a CONNECT proxy (`connect_proxy`), both on `loopback`. A test module imports from here,
never from another test module."""
