"""The development Stripe: localstripe, a stateful fake Stripe server with a fake Stripe.js."""
