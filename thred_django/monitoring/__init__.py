"""Views for monitors: Prometheus metrics and a JSON health check (``urls.py``)."""
