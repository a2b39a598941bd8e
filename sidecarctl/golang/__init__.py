"""Go's runtime, as far as sidecarctl's outputs must match Go byte for byte.

The lowest layer: it imports nothing else from sidecarctl, and every other package that needs Go's
spelling of a value takes it from here, so each piece of Go behaviour is written once:
  errors.py  GoError, the base of the errors Go's functions return
  strconv.py strconv: FormatFloat ('g' 'e' 'f' 'x' 'b', shortest or with a precision), Quote,
             QuoteRune, Unquote, ParseInt, ParseUint, ParseFloat, ParseBool, Atoi
  json.py    encoding/json: string escaping (HTML-safe), float spelling, compact marshalling
  time.py    time: Time and Location, layouts (Format, Parse), Duration parsing and printing
"""
