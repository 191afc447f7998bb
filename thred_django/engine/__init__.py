"""The sync engine: marking, claiming, pushing and recording outcomes.

Public entry points: ``mark``, ``mark_objects``, ``mark_queryset`` (marking) and
``push_due`` (runner). Admin, API, commands and tasks call these; none of them talks
HTTP to Thred itself.
"""
