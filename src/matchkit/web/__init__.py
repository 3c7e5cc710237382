"""The web page for case managers (``matchkit serve``; the optional extra ``matchkit[web]``).

A Django project and app in one package. The core library never imports it: ``matchkit``
works without Django installed. See ``docs/web.md``.
"""
