package io.cleanroom.core.model;

/** Which compute a member pays for; jobCompute is null when not set. */
public record PaymentConfiguration(boolean queryComputeResponsible, Boolean jobComputeResponsible) {
}
