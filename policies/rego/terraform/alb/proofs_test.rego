package citygate.alb_proofs_test

import data.citygate.alb
import data.citygate.testing as t
import rego.v1

redirect := [{"type": "redirect", "redirect": [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}]}]

test_tls13_listener_and_https_redirect_are_proven if {
	inp := t.plan([
		t.resource("aws_lb_listener.https", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}),
		t.resource("aws_lb_listener.http", {"protocol": "HTTP", "default_action": redirect}),
	])
	{"id": "CG_ALB_001", "resource": "aws_lb_listener.https", "evidence": `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"`} in alb.proof with input as inp
	{"id": "CG_ALB_002", "resource": "aws_lb_listener.http", "evidence": `default_action redirects to protocol = "HTTPS"`} in alb.proof with input as inp
}

test_old_unknown_or_forwarding_listeners_are_not_proven if {
	inp := t.plan([
		t.resource("aws_lb_listener.https", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-2016-08"}),
		t.r("aws_lb_listener.unknown", {"protocol": "HTTPS"}, {}, ["ssl_policy"]),
		t.resource("aws_lb_listener.http", {"protocol": "HTTP", "default_action": [{"type": "forward"}]}),
	])
	t.flagged(alb.deny, "CG_ALB_001", "aws_lb_listener.https") with input as inp
	count(alb.proof) == 0 with input as inp
}
