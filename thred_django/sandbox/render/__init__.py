"""The sandbox's responses: each kind module renders its resource in the documented
shape (``Kind.render``); the conventions they share (ids, dates, amounts, names, line
items, omitted fields) are in ``common``."""
