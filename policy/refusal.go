package policy

// refusalTexts are the one-line bodies of local refusals (403), for people
// reading the response with curl. Only preflights and cross-origin
// protection are refused locally (an actual request from another origin is
// forwarded, without CORS headers), so the origin reasons say "preflight".
// They name the rule, never a request
// value: echoing the request back would turn the reply into a reflection
// point. A page script never sees them: a refused response carries no CORS
// headers, so the browser hides it (Fetch "CORS check").
var refusalTexts = [...]string{
	ReasonOriginNotAllowed:         "CORS preflight refused: the Origin is not allowed by this server's CORS policy\n",
	ReasonOriginMalformed:          "CORS preflight refused: the Origin header is not a valid origin\n",
	ReasonMethodNotAllowed:         "CORS preflight refused: the requested method is not allowed by this server's CORS policy\n",
	ReasonHeaderNotAllowed:         "CORS preflight refused: a requested header is not allowed by this server's CORS policy\n",
	ReasonHeadersMalformed:         "CORS preflight refused: Access-Control-Request-Headers is malformed\n",
	ReasonPrivateNetworkNotAllowed: "CORS preflight refused: private network access is not allowed by this server's CORS policy\n",
	ReasonCrossOriginProtection:    "cross-origin request refused: cross-origin protection blocks cross-site writes here\n",
}

// RefusalText returns the body of a local reply that refuses a request
// for reason r: one line ending in "\n", or "" when r is not a refusal
// (an allowed preflight's reply has an empty body).
func RefusalText(r Reason) string {
	if int(r) < len(refusalTexts) {
		return refusalTexts[r]
	}
	return ""
}
