"""The reachability analyzer computes, for every public NetworkPolicy recipe in the corpus, the effect
RECIPES.md states (the YAML's real semantics where the prose disagrees)."""

from __future__ import annotations

from probes import KUBE_DNS, analyzer_of, external, pod

from citygate.k8s.ports import PortSet
from citygate.k8s.reachability import Workload

ALL = PortSet.everything()
AHMETB = "ahmetb__kubernetes-network-policy-recipes__"
WEBSITE = "kubernetes__website__"


def test_01_deny_all_to_an_application() -> None:
    web, other = pod("web", app="web"), pod("other", app="other")
    a = analyzer_of(f"{AHMETB}01", pods=(web, other))
    assert not a.ports(other, web)
    assert not a.ports(external("203.0.113.10"), web)
    assert a.ports(web, other) == ALL  # only ingress of app=web is touched


def test_02_limit_traffic_to_an_application() -> None:
    api = pod("api", app="bookstore", role="api")
    frontend, coffee = pod("frontend", app="bookstore", role="frontend"), pod("coffee", app="coffeeshop")
    a = analyzer_of(f"{AHMETB}02-", pods=(api, frontend, coffee))
    assert a.ports(frontend, api) == ALL
    assert not a.ports(coffee, api)


def test_02a_allow_all_overrides_deny_all() -> None:
    web, foreign = pod("web", app="web"), pod("client", "foo")
    a = analyzer_of(f"{AHMETB}01", f"{AHMETB}02a", pods=(web, foreign))
    assert a.ports(foreign, web) == ALL


def test_03_default_deny_ingress_in_the_namespace() -> None:
    one, two, foreign = pod("one", app="a"), pod("two", app="b"), pod("x", "foo")
    a = analyzer_of(f"{AHMETB}03", pods=(one, two, foreign))
    assert not a.ports(two, one)
    assert not a.ports(foreign, one)
    assert a.ports(one, foreign) == ALL  # egress is not affected


def test_04_deny_traffic_from_other_namespaces() -> None:
    web, neighbour, foreign = pod("web", app="web"), pod("n", app="other"), pod("x", "foo", app="web")
    a = analyzer_of(f"{AHMETB}04", pods=(web, neighbour, foreign))
    assert a.ports(neighbour, web) == ALL  # `matchLabels:` null selects every pod of default
    assert not a.ports(foreign, web)


def test_05_allow_traffic_from_all_namespaces() -> None:
    web, foreign = pod("web", app="web"), pod("x", "secondary")
    a = analyzer_of(f"{AHMETB}05", pods=(web, foreign))
    assert a.ports(foreign, web) == ALL
    assert not a.ports(external("203.0.113.10"), web)  # namespaceSelector {} means pods, not IPs


def test_06_allow_traffic_from_a_namespace() -> None:
    web, prod, dev = pod("web", app="web"), pod("p", "prod"), pod("d", "dev")
    a = analyzer_of(
        f"{AHMETB}06",
        pods=(web, prod, dev),
        namespaces={"prod": {"purpose": "production"}, "dev": {"purpose": "testing"}},
    )
    assert a.ports(prod, web) == ALL
    assert not a.ports(dev, web)


def test_07_allow_some_pods_in_another_namespace() -> None:
    web = pod("web", app="web")
    ops_monitor = pod("m", "ops", type="monitoring")
    local_monitor = pod("lm", type="monitoring")
    ops_other, other_ns = pod("o", "ops", type="batch"), pod("u", "other")
    a = analyzer_of(
        f"{AHMETB}07",
        pods=(web, ops_monitor, local_monitor, ops_other, other_ns),
        namespaces={"ops": {"team": "operations"}},
    )
    assert a.ports(ops_monitor, web) == ALL
    assert not a.ports(local_monitor, web)  # AND of both selectors: namespace must match too
    assert not a.ports(ops_other, web)
    assert not a.ports(other_ns, web)


def test_08_allow_external_traffic() -> None:
    web, foreign = pod("web", app="web"), pod("x", "foo")
    a = analyzer_of(f"{AHMETB}08", pods=(web, foreign))
    assert a.ports(external("203.0.113.10"), web) == ALL
    assert a.ports(foreign, web) == ALL


def test_09_allow_traffic_only_to_a_port() -> None:
    api, monitor, other = pod("api", app="apiserver"), pod("m", role="monitoring"), pod("o", role="web")
    a = analyzer_of(f"{AHMETB}09", pods=(api, monitor, other))
    assert a.ports(monitor, api) == PortSet.of("TCP", 5000)
    assert not a.can_reach(monitor, api, 8000)
    assert not a.ports(other, api)


def test_10_multiple_selectors_are_ored() -> None:
    db = pod("db", app="bookstore", role="db")
    allowed = [
        pod("s", app="bookstore", role="search"),
        pod("a", app="bookstore", role="api"),
        pod("w", app="inventory", role="web"),
    ]
    denied = [pod("x", app="bookstore", role="web"), pod("y", app="inventory", role="api")]
    a = analyzer_of(f"{AHMETB}10", pods=(db, *allowed, *denied))
    assert all(a.can_reach(p, db, 6379) for p in allowed)
    assert not any(a.ports(p, db) for p in denied)


def test_11_deny_egress_but_dns() -> None:
    foo, web = pod("foo", app="foo"), pod("web", app="web")
    a = analyzer_of(f"{AHMETB}11", pods=(foo, web, KUBE_DNS))
    assert a.ports(foo, KUBE_DNS) == PortSet.of("UDP", 53) | PortSet.of("TCP", 53)
    assert not a.ports(foo, web)
    assert not a.ports(foo, external("203.0.113.10"))


def test_12_deny_all_egress_from_the_namespace() -> None:
    one = pod("one", app="a")
    a = analyzer_of(f"{AHMETB}12", pods=(one, KUBE_DNS))
    assert not a.ports(one, KUBE_DNS)  # DNS too
    assert a.ports(KUBE_DNS, one) == ALL  # ingress is not affected


def test_14_yaml_denies_in_cluster_egress_despite_the_prose() -> None:
    foo, web = pod("foo", app="foo"), pod("web", app="web")
    a = analyzer_of(f"{AHMETB}14", pods=(foo, web, KUBE_DNS))
    assert a.ports(foo, KUBE_DNS) == PortSet.of("UDP", 53) | PortSet.of("TCP", 53)
    assert not a.ports(foo, web)  # the prose says allowed; the YAML at this commit denies it
    assert not a.ports(foo, external("8.8.8.8"))


def test_website_networkpolicy() -> None:
    db, frontend, other = pod("db", role="db"), pod("f", role="frontend"), pod("o", role="web")
    in_project = pod("p", "myproject")
    a = analyzer_of(
        f"{WEBSITE}networkpolicy.yaml",
        pods=(db, frontend, other, in_project),
        namespaces={"myproject": {"project": "myproject"}},
    )
    redis = PortSet.of("TCP", 6379)
    assert a.ports(frontend, db) == redis
    assert a.ports(in_project, db) == redis
    assert not a.ports(other, db)
    assert a.ports(external("172.17.2.5"), db) == redis
    assert not a.ports(external("172.17.1.5"), db)  # the `except` block
    assert a.ports(db, external("10.0.0.7")) == PortSet.of("TCP", 5978)
    assert not a.ports(db, frontend)  # egress is isolated too


def test_website_default_policies() -> None:
    one, two = pod("one", app="a"), pod("two", app="b")
    outside = external("203.0.113.10")
    cases = {
        "network-policy-default-deny-ingress": (False, True),
        "network-policy-allow-all-ingress": (True, True),
        "network-policy-default-deny-egress": (True, False),
        "network-policy-allow-all-egress.yaml": (True, True),
        "network-policy-default-deny-all": (False, False),
        "network-policy-allow-all-egress-deny-all-ingress": (False, True),
    }
    for name, (ingress_open, egress_open) in cases.items():
        a = analyzer_of(f"{WEBSITE}{name}", pods=(one, two))
        assert bool(a.ports(outside, one)) is ingress_open, name
        assert bool(a.ports(one, outside)) is egress_open, name
        assert bool(a.ports(two, one)) is (ingress_open and egress_open), name


def test_website_multiport_egress() -> None:
    db = pod("db", role="db")
    a = analyzer_of(f"{WEBSITE}networkpolicy-multiport-egress", pods=(db,))
    assert a.ports(db, external("10.0.0.9")) == PortSet.of("TCP", 32000, 32768)
    assert not a.ports(db, external("10.0.1.9"))


def test_online_boutique() -> None:
    a = analyzer_of(
        "GoogleCloudPlatform__microservices-demo__kubernetes-manifests",
        "GoogleCloudPlatform__microservices-demo__network-policies",
    )
    workload = a.endpoint
    cart, redis = workload("Deployment/default/cartservice"), workload("Deployment/default/redis-cart")
    frontend, checkout = workload("Deployment/default/frontend"), workload("Deployment/default/checkoutservice")
    loadgen, email = workload("Deployment/default/loadgenerator"), workload("Deployment/default/emailservice")
    assert a.ports(frontend, cart) == PortSet.of("TCP", 7070)
    assert a.ports(checkout, cart) == PortSet.of("TCP", 7070)
    assert not a.ports(email, cart)
    assert a.ports(cart, redis) == PortSet.of("TCP", 6379)
    assert not a.ports(frontend, redis)
    assert a.ports(external("203.0.113.10"), frontend) == ALL  # frontend allows all ingress
    assert not a.ports(frontend, loadgen)  # egress-only policy: deny-all still blocks its ingress
    assert a.ports(loadgen, frontend) == ALL
    assert a.ports(email, external("203.0.113.10")) == ALL  # egress deliberately left open


def test_kube_prometheus() -> None:
    labels = {
        "app.kubernetes.io/component": "prometheus",
        "app.kubernetes.io/instance": "k8s",
        "app.kubernetes.io/name": "prometheus",
        "app.kubernetes.io/part-of": "kube-prometheus",
    }
    prometheus = Workload("StatefulSet/monitoring/prometheus-k8s", "monitoring", labels)
    adapter = Workload(
        "Deployment/monitoring/prometheus-adapter", "monitoring", {"app.kubernetes.io/name": "prometheus-adapter"}
    )
    grafana = Workload("Deployment/monitoring/grafana", "monitoring", {"app.kubernetes.io/name": "grafana"})
    other = Workload("Deployment/monitoring/alertmanager", "monitoring", {"app.kubernetes.io/name": "alertmanager"})
    a = analyzer_of(
        "prometheus-operator__kube-prometheus__prometheus-networkPolicy", pods=(prometheus, adapter, grafana, other)
    )
    assert a.ports(prometheus, prometheus) == PortSet.of("TCP", 9090) | PortSet.of("TCP", 8080)
    assert a.ports(adapter, prometheus) == PortSet.of("TCP", 9090)
    assert a.ports(grafana, prometheus) == PortSet.of("TCP", 9090)
    assert not a.ports(other, prometheus)
    assert a.ports(prometheus, external("203.0.113.10")) == ALL  # all egress allowed
