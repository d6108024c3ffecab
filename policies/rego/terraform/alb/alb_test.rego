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

test_tls13_only_and_restricted_tls13_policies_pass if {
	inp := t.plan([
		t.resource("aws_lb_listener.only13", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}),
		t.resource("aws_lb_listener.res", {"protocol": "TLS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"}),
		t.resource("aws_lb_listener.fips", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"}),
	])
	count(alb.deny) == 0 with input as inp
}

test_tls12_only_and_tls13_with_old_versions_fail if {
	inp := t.plan([
		t.resource("aws_lb_listener.tls12", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS-1-2-2017-01"}),
		t.resource("aws_lb_listener.fs12", {"protocol": "TLS", "ssl_policy": "ELBSecurityPolicy-FS-1-2-Res-2020-10"}),
		t.resource("aws_lb_listener.tls10", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-0-2021-06"}),
		t.resource("aws_lb_listener.tls11", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-1-2021-06"}),
		t.r("aws_lb_listener.later", {"protocol": "HTTPS"}, {}, ["ssl_policy"]),
	])
	some tls12 in alb.deny with input as inp
	tls12.resource == "aws_lb_listener.tls12"
	contains(tls12.msg, "offers no TLS 1.3")
	some tls10 in alb.deny with input as inp
	tls10.resource == "aws_lb_listener.tls10"
	contains(tls10.msg, "older than 1.2")
	every address in ["aws_lb_listener.fs12", "aws_lb_listener.tls11", "aws_lb_listener.later"] {
		t.flagged(alb.deny, "CG_ALB_001", address) with input as inp
	}
}

test_old_tls_and_forwarding_http_fail if {
	inp := t.plan([
		t.resource("aws_lb_listener.https", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-2016-08"}),
		t.resource("aws_lb_listener.https_default", {"protocol": "HTTPS"}),
		t.resource("aws_lb_listener.http", {"protocol": "HTTP", "default_action": [{"type": "forward"}]}),
	])
	t.flagged(alb.deny, "CG_ALB_001", "aws_lb_listener.https") with input as inp
	t.flagged(alb.deny, "CG_ALB_001", "aws_lb_listener.https_default") with input as inp
	t.flagged(alb.deny, "CG_ALB_002", "aws_lb_listener.http") with input as inp
}
