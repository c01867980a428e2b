package io.cleanroom.core.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * An event as one reader may see it. The operator, and the account that made the call, see all of
 * it ({@link Full}). Another member of a collaboration the call concerns sees what happened, never
 * what was asked ({@link Metadata}): the operation, when, which account, on which resources (the
 * identifiers in the call's path and its collaboration) and how it ended (the error code). Its
 * request parameters (a query's SQL, a rule's policy, a template's text), error message, access
 * key, address, request id and chain hashes stay out of this view, so nothing derived from them can
 * reach the reader. The list of what Metadata holds is the allow-list: a field added to events is
 * not shown to other accounts until it is added here.
 */
public sealed interface AuditView permits AuditView.Full, AuditView.Metadata {
    String eventId();

    Instant time();

    /** The calling account ("operator" for the operator's key), or null when no key was verified or claimed. */
    String accountId();

    String eventSource();

    String eventName();

    List<String> resources();

    String collaborationId();

    /** The AWS error type when the call failed, null on success. */
    String errorCode();

    /** The whole event: for the operator and for the account that made the call. */
    record Full(AuditEvent event) implements AuditView {
        public Full {
            requireNonNull(event, "event is null");
        }

        @Override
        public String eventId() {
            return event.eventId();
        }

        @Override
        public Instant time() {
            return event.time();
        }

        @Override
        public String accountId() {
            return event.accountId();
        }

        @Override
        public String eventSource() {
            return event.eventSource();
        }

        @Override
        public String eventName() {
            return event.eventName();
        }

        @Override
        public List<String> resources() {
            return event.resources();
        }

        @Override
        public String collaborationId() {
            return event.collaborationId();
        }

        @Override
        public String errorCode() {
            return event.errorCode();
        }
    }

    /** What another account's call shows: operation, time, account, resources and outcome. */
    record Metadata(String eventId, Instant time, String accountId, String eventSource, String eventName,
            List<String> resources, String collaborationId, String errorCode) implements AuditView {
        public Metadata {
            requireNonNull(eventId, "eventId is null");
            requireNonNull(time, "time is null");
            requireNonNull(eventSource, "eventSource is null");
            requireNonNull(eventName, "eventName is null");
            resources = List.copyOf(resources);
        }

        public static Metadata of(AuditEvent e) {
            return new Metadata(e.eventId(), e.time(), e.accountId(), e.eventSource(), e.eventName(), e.resources(),
                    e.collaborationId(), e.errorCode());
        }
    }
}
