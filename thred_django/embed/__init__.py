"""Embedded accounting: Thred's ``@thredfi/accounting`` widget for the host's own users.

``mountThredfi()`` shows a business's books in the browser with a *business* token
(locked to one business; a partner token never leaves the server). The host says which
business a request's user may see through ``THRED["EMBED_BUSINESS_RESOLVER"]``, a dotted
path to ``resolver(request) -> tenant | tenant pk | None``; the endpoint
(``thred_django.embed.urls``) takes no business from the request, so a user can only
ever receive the token of the business the resolver names.
"""
