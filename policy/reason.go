package policy

import "strconv"

var reasonNames = [...]string{
	ReasonNone:                     "none",
	ReasonAllowed:                  "allowed",
	ReasonOriginNotAllowed:         "origin_not_allowed",
	ReasonOriginMalformed:          "origin_malformed",
	ReasonMethodNotAllowed:         "method_not_allowed",
	ReasonHeaderNotAllowed:         "header_not_allowed",
	ReasonHeadersMalformed:         "headers_malformed",
	ReasonPrivateNetworkNotAllowed: "private_network_not_allowed",
	ReasonCrossOriginProtection:    "cross_origin_protection",
}

// String returns a stable lowercase identifier (snake_case) for logs and
// metric labels.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "reason_" + strconv.Itoa(int(r))
}

var kindNames = [...]string{NotCORS: "not_cors", Preflight: "preflight", Actual: "actual"}

// String returns "not_cors", "preflight" or "actual".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind_" + strconv.Itoa(int(k))
}

// String returns "continue" or "respond".
func (a Action) String() string {
	switch a {
	case Continue:
		return "continue"
	case Respond:
		return "respond"
	}
	return "action_" + strconv.Itoa(int(a))
}
