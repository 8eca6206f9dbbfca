"""Who talks to the bot: joining, invitations, staff roles, and each person's own settings
and data (/language, /timezone, /quiet, /privacy, /mydata, /forget, /stop, /resume).

Handlers (parse, call, render): ``joining`` (/start) and ``joining_steps`` (the ``ob``
buttons and typed answers), ``help``, ``language``, ``timezone``, ``quiet_hours``,
``privacy``, ``mydata`` (/mydata, /forget), ``pause`` (/stop, /resume), ``settings`` (where a
``set`` button or a typed setting goes), ``invites``, ``staff``, ``focal_points``, ``audit``,
``membership`` (blocked / unblocked). Database use cases: ``service`` (a partner's side) and
``staff_service``. Texts and keyboards: ``view``, ``joining_view``, ``data_view``,
``staff_view``, ``audit_view``. What the feature adds to the bot: ``feature``.
"""
