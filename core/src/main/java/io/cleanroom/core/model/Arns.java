package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds and parses the ARNs of Cleanroom resources, in AWS's formats, for one region. */
public record Arns(String region) {
    private static final Pattern ARN = Pattern.compile(
            "^arn:aws:cleanrooms:([\\w-]+):(\\d{12}):(.+)$");

    public Arns {
        requireNonNull(region, "region is null");
    }

    private String arn(AccountId account, String resource) {
        return "arn:aws:cleanrooms:" + region + ":" + account.value() + ":" + resource;
    }

    public String collaboration(AccountId creator, CollaborationId id) {
        return arn(creator, "collaboration/" + id.value());
    }

    public String membership(AccountId member, MembershipId id) {
        return arn(member, "membership/" + id.value());
    }

    public String configuredTable(AccountId owner, ConfiguredTableId id) {
        return arn(owner, "configuredtable/" + id.value());
    }

    public String association(AccountId owner, MembershipId membership, AssociationId id) {
        return arn(owner, "configuredtableassociation/" + membership.value() + "/" + id.value());
    }

    public String analysisTemplate(AccountId owner, MembershipId membership, AnalysisTemplateId id) {
        return arn(owner, "membership/" + membership.value() + "/analysistemplate/" + id.value());
    }

    /**
     * A privacy budget template's ARN, as AWS's model gives it: in the owner's account, not under
     * the membership (the model's pattern ends {@code :privacybudgettemplate/[\d\w-]+}, at most 100
     * characters).
     */
    public String privacyBudgetTemplate(AccountId owner, PrivacyBudgetTemplateId id) {
        return arn(owner, "privacybudgettemplate/" + id.value());
    }

    /** The parts of a Cleanroom ARN: owning account and the resource path after it. */
    public record Parsed(String region, AccountId account, String resource) {
    }

    public static Optional<Parsed> parse(String arn) {
        if (arn == null) {
            return Optional.empty();
        }
        Matcher m = ARN.matcher(arn);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(m.group(1), new AccountId(m.group(2)), m.group(3)));
    }
}
