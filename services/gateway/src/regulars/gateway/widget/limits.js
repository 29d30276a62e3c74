// The server's input limits the widget's forms mirror, in one place (as HTML attributes of the
// fields). The server decides: these only let the browser say so before a round trip.
// services/gateway/tests/unit/test_widget_catalogs.py compares them with the services' own.

/** identity, domain/accounts.py: PASSWORD_MIN, PASSWORD_MAX. */
export const PASSWORD = { minlength: 8, maxlength: 128 };
/** The 6-digit verification code, typed with a space in the middle if the client likes. */
export const CODE = { maxlength: 7 };
/** appointments, service_layer/bookings.py: products reserved with a booking, per line. */
export const PRODUCT_QUANTITY = { min: 1, max: 20 };
