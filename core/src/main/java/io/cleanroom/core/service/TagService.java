package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Tags on the caller's own resources, addressed by ARN. */
public final class TagService {
    private static final int MAX_TAGS = 50;

    private final ServiceContext context;

    public TagService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** The resource must exist and belong to the caller; otherwise it is not found. */
    private void requireOwned(Tx tx, AccountId caller, String arn) {
        Optional<Arns.Parsed> parsed = Arns.parse(arn);
        boolean owned = parsed.isPresent() && parsed.get().account().equals(caller)
                && exists(tx, caller, arn, parsed.get().resource());
        if (!owned) {
            throw CleanroomException.notFound(ResourceType.RESOURCE, arn,
                    "Resource " + arn + " does not exist or is not yours");
        }
    }

    private boolean exists(Tx tx, AccountId caller, String arn, String resource) {
        String[] parts = resource.split("/");
        String last = parts[parts.length - 1];
        return switch (parts[0]) {
            case "collaboration" -> parts.length == 2 && tx.of(Kinds.COLLABORATIONS).get(last)
                    .filter(c -> !c.deleted() && context.arns().collaboration(c.creatorAccountId(), c.id()).equals(arn)).isPresent();
            case "configuredtable" -> parts.length == 2 && tx.of(Kinds.CONFIGURED_TABLES).get(last)
                    .filter(t -> t.ownerAccountId().equals(caller)).isPresent();
            case "configuredtableassociation" -> parts.length == 3 && tx.of(Kinds.ASSOCIATIONS).get(last)
                    .filter(a -> a.ownerAccountId().equals(caller) && a.membershipId().value().equals(parts[1]))
                    .isPresent();
            case "membership" -> parts.length == 2
                    ? tx.of(Kinds.MEMBERSHIPS).get(last).filter(m -> m.accountId().equals(caller)).isPresent()
                    : parts.length == 4 && parts[2].equals("analysistemplate") && tx.of(Kinds.TEMPLATES).get(last)
                            .filter(t -> t.ownerAccountId().equals(caller)
                                    && t.membershipId().value().equals(parts[1])).isPresent();
            case "privacybudgettemplate" -> parts.length == 2 && tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).get(last)
                    .filter(t -> t.ownerAccountId().equals(caller)
                            && context.arns().privacyBudgetTemplate(t.ownerAccountId(), t.id()).equals(arn))
                    .isPresent();
            default -> false;
        };
    }

    public void tag(Caller caller, String arn, Map<String, String> tags) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            requireOwned(tx, account, arn);
            Optional<TagSet> existing = tx.of(Kinds.TAGS).get(arn);
            Map<String, String> merged = new LinkedHashMap<>(existing.map(TagSet::tags).orElse(Map.of()));
            merged.putAll(tags);
            if (merged.size() > MAX_TAGS) {
                throw CleanroomException.validation("tags", "A resource can have at most " + MAX_TAGS + " tags");
            }
            TagSet set = new TagSet(arn, account, merged);
            if (existing.isPresent()) {
                tx.of(Kinds.TAGS).update(set);
            } else {
                tx.of(Kinds.TAGS).insert(set);
            }
            return null;
        });
    }

    public void untag(Caller caller, String arn, Collection<String> keys) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            requireOwned(tx, account, arn);
            tx.of(Kinds.TAGS).get(arn).ifPresent(existing -> {
                Map<String, String> remaining = new LinkedHashMap<>(existing.tags());
                keys.forEach(remaining::remove);
                tx.of(Kinds.TAGS).update(new TagSet(arn, account, remaining));
            });
            return null;
        });
    }

    public Map<String, String> list(Caller caller, String arn) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> {
            requireOwned(tx, account, arn);
            return tx.of(Kinds.TAGS).get(arn).map(TagSet::tags).orElse(Map.of());
        });
    }
}
