"""The generated artifacts, loaded into real nginx, Apache and Caddy where they run."""
