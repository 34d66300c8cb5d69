"""One module per `sfnc` command, each with ``run(args) -> exit code``."""
