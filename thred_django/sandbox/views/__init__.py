"""DRF views of the sandbox's API endpoints, one module per resource family."""
