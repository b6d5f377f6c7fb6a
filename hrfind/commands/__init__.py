"""The commands of hrfind, one module per group; each has `register(app)`."""
