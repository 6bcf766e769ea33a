package dev.conveyor.deploy;

import java.util.Set;

/** The operator-owned kinds deploy/ uses; their required fields are checked by OperatorResourcesTest. */
final class OperatorKinds {
    static final String KAFKA = "kafka.strimzi.io/v1/Kafka";
    static final String NODE_POOL = "kafka.strimzi.io/v1/KafkaNodePool";
    static final String TOPIC = "kafka.strimzi.io/v1/KafkaTopic";
    static final String PG_CLUSTER = "postgresql.cnpg.io/v1/Cluster";
    static final String SCALED_OBJECT = "keda.sh/v1alpha1/ScaledObject";
    static final String TRIGGER_AUTHENTICATION = "keda.sh/v1alpha1/TriggerAuthentication";
    static final Set<String> ALL = Set.of(KAFKA, NODE_POOL, TOPIC, PG_CLUSTER, SCALED_OBJECT, TRIGGER_AUTHENTICATION);

    private OperatorKinds() {}
}
