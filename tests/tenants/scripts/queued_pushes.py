# Run inside the tenants project (manage.py shell -c): the push tasks waiting in
# django-q2's ORM broker, by their arguments; those for DROP_SCHEMA are deleted (lost).
# Prints {"kept": [args, ...], "dropped": n}.
import json
import os

from django_q.models import OrmQ

drop = os.environ.get("DROP_SCHEMA")
kept, dropped = [], 0
for queued in OrmQ.objects.all():
    task = queued.task
    if task["func"] != "thred_django.tasks.push":
        continue
    args = list(task["args"])
    if drop and args == [drop]:
        queued.delete()
        dropped += 1
    else:
        kept.append(args)
print(json.dumps({"kept": kept, "dropped": dropped}))
