"""Tools to develop and measure the bot; the running bot never imports anything here.

``sandbox/`` is a fake Telegram Bot API server on loopback (it needs the ``sandbox`` extra,
aiohttp), ``local.py`` runs the real bot against it in one event loop, ``demo.py`` and
``walkthrough/`` are ``partnerbot demo``, and ``bench/`` holds the benchmarks.

Keeping them here keeps them off the production surface: ``partnerbot run``, ``db``,
``locales`` and ``surveys`` import nothing from this package, and a production install needs
neither aiohttp nor any of this code. ``tests/test_layering.py`` holds that line.
"""
