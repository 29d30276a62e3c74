"""The development mailbox: SMTP in, HTML and JSON out."""
