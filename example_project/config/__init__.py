"""Django project configuration of the example sales platform."""
