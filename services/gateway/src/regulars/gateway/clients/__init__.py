"""One typed client per downstream service, each on the one transport (``ServiceClient``).

A view calls ``AppointmentsClient.of(request).book(...)`` and gets a contract model back
(``regulars.shared.contracts.<service>``); paths, principal headers, the correlation id and
the deadline are the client's business, never the view's.
"""
