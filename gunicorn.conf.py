"""gunicorn's settings, read from the directory it starts in: its logs mask seed 003's user tokens."""

logger_class = "invoisx.logmasking.GunicornLogger"
