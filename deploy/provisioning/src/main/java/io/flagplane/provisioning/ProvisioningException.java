package io.flagplane.provisioning;

/** Provisioning could not talk to Kafka, or Kafka refused a topic. */
public final class ProvisioningException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
