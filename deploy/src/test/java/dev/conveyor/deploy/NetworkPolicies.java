package dev.conveyor.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Evaluates Kubernetes NetworkPolicies (the subset deploy/ uses: matchLabels selectors, numeric ports, no
 * ipBlock) for a connection between two pods, as a conforming network plugin would: a connection is allowed when
 * the source's egress policies (if any select it) and the destination's ingress policies (if any select it) both
 * allow it. Strimzi's listener networkPolicyPeers are turned into the ingress policy Strimzi makes for the brokers.
 */
final class NetworkPolicies {

    /** A pod: its namespace, its labels. */
    record Pod(String name, String namespace, Map<String, String> labels) {}

    private final String namespace;
    private final List<JsonNode> policies = new ArrayList<>();

    NetworkPolicies(Rendered r) {
        this.namespace = r.namespace();
        policies.addAll(r.ofKind("NetworkPolicy"));
        ObjectMapper m = new ObjectMapper();
        for (ObjectNode kafka : r.ofKind("Kafka")) {
            ObjectNode np = m.createObjectNode();
            np.putObject("metadata").put("name", Rendered.name(kafka) + "-network-policy-kafka");
            ObjectNode spec = np.putObject("spec");
            spec.putObject("podSelector")
                    .putObject("matchLabels")
                    .put("strimzi.io/cluster", Rendered.name(kafka))
                    .put("strimzi.io/kind", "Kafka");
            spec.putArray("policyTypes").add("Ingress");
            ArrayNode ingress = spec.putArray("ingress");
            for (JsonNode l : kafka.path("spec").path("kafka").path("listeners")) {
                ObjectNode rule = ingress.addObject();
                rule.putArray("ports")
                        .addObject()
                        .put("protocol", "TCP")
                        .put("port", l.path("port").asInt());
                if (l.has("networkPolicyPeers")) {
                    rule.set("from", l.get("networkPolicyPeers"));
                }
            }
            policies.add(np);
        }
    }

    boolean allowed(Pod from, Pod to, int port, String protocol) {
        return egressAllows(from, to, port, protocol) && ingressAllows(from, to, port, protocol);
    }

    private boolean egressAllows(Pod from, Pod to, int port, String protocol) {
        boolean selected = false;
        for (JsonNode p : policies) {
            if (!from.namespace().equals(namespace) || !selects(p, "Egress", from)) {
                continue;
            }
            selected = true;
            for (JsonNode rule : p.path("spec").path("egress")) {
                if (peersMatch(rule.path("to"), to) && portsMatch(rule.path("ports"), port, protocol)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    private boolean ingressAllows(Pod from, Pod to, int port, String protocol) {
        boolean selected = false;
        for (JsonNode p : policies) {
            if (!to.namespace().equals(namespace) || !selects(p, "Ingress", to)) {
                continue;
            }
            selected = true;
            for (JsonNode rule : p.path("spec").path("ingress")) {
                if (peersMatch(rule.path("from"), from) && portsMatch(rule.path("ports"), port, protocol)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    private static boolean selects(JsonNode policy, String type, Pod pod) {
        JsonNode types = policy.path("spec").path("policyTypes");
        boolean hasType = false;
        if (types.isMissingNode()) {
            hasType = type.equals("Ingress") || policy.path("spec").has("egress");
        } else {
            for (JsonNode t : types) {
                hasType |= t.asText().equals(type);
            }
        }
        return hasType && matches(policy.path("spec").path("podSelector"), pod.labels());
    }

    private boolean peersMatch(JsonNode peers, Pod pod) {
        if (peers.isMissingNode() || peers.isEmpty()) {
            return true;
        }
        for (JsonNode peer : peers) {
            if (peer.has("ipBlock")) {
                throw new IllegalArgumentException("ipBlock peers are outside the evaluated subset");
            }
            boolean ok;
            if (peer.has("namespaceSelector")) {
                ok = matches(peer.get("namespaceSelector"), Map.of("kubernetes.io/metadata.name", pod.namespace()))
                        && (!peer.has("podSelector") || matches(peer.get("podSelector"), pod.labels()));
            } else {
                ok = pod.namespace().equals(namespace) && matches(peer.path("podSelector"), pod.labels());
            }
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static boolean portsMatch(JsonNode ports, int port, String protocol) {
        if (ports.isMissingNode() || ports.isEmpty()) {
            return true;
        }
        for (JsonNode p : ports) {
            if (!p.path("port").isInt()) {
                throw new IllegalArgumentException("only numeric ports are evaluated: " + p);
            }
            if (p.path("port").asInt() == port
                    && p.path("protocol").asText("TCP").equals(protocol)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(JsonNode selector, Map<String, String> labels) {
        if (selector.has("matchExpressions")) {
            throw new IllegalArgumentException("matchExpressions are outside the evaluated subset");
        }
        var it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
