package citygate.alb_test

import data.citygate.alb
import data.citygate.testing as t
import rego.v1

redirect := [{"type": "redirect", "redirect": [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}]}]

test_tls13_listener_and_redirect_pass if {
	inp := t.plan([
		t.resource("aws_lb_listener.https", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "default_action": [{"type": "forward"}]}),
		t.resource("aws_alb_listener.http", {"protocol": "HTTP", "default_action": redirect}),
	])
	count(alb.deny) == 0 with input as inp
}

test_old_tls_and_forwarding_http_fail if {
	inp := t.plan([
		t.resource("aws_lb_listener.https", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-2016-08"}),
		t.resource("aws_lb_listener.https_default", {"protocol": "HTTPS"}),
		t.resource("aws_lb_listener.http", {"protocol": "HTTP", "default_action": [{"type": "forward"}]}),
	])
	t.flagged(alb.deny, "CG-ALB-001", "aws_lb_listener.https") with input as inp
	t.flagged(alb.deny, "CG-ALB-001", "aws_lb_listener.https_default") with input as inp
	t.flagged(alb.deny, "CG-ALB-002", "aws_lb_listener.http") with input as inp
}
