package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisFormat;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.AnalysisTemplate;
import io.cleanroom.core.model.AnalysisTemplateId;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Analysis templates: reviewed SQL with typed parameters, owned by a membership, read by the collaboration. */
public final class TemplateService {
    private static final Pattern PARAMETER = Pattern.compile("(?<![:\\w]):([0-9a-zA-Z_]+)");
    private static final Pattern IDENTIFIER = Pattern.compile("\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_]*)");

    private final ServiceContext context;

    public TemplateService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** A template with the collaboration it belongs to (which names it in ARNs). */
    public record View(AnalysisTemplate template, io.cleanroom.core.model.Collaboration collaboration) {
    }

    private static View view(Tx tx, AnalysisTemplate template) {
        return new View(template, tx.of(Kinds.COLLABORATIONS).get(template.collaborationId().value()).orElseThrow());
    }

    private static List<View> views(Tx tx, List<AnalysisTemplate> templates) {
        return templates.stream().map(t -> view(tx, t)).toList();
    }

    public record Create(
            String name,
            String description,
            AnalysisFormat format,
            String sourceText,
            List<AnalysisParameter> parameters,
            Map<String, String> tags) {
        public Create {
            parameters = List.copyOf(parameters == null ? List.of() : parameters);
            tags = Map.copyOf(tags == null ? Map.of() : tags);
        }
    }

    public View create(Caller caller, MembershipId membershipId, Create request) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, membershipId);
            if (request.format() != AnalysisFormat.SQL) {
                throw CleanroomException.validation("format",
                        "Only SQL analysis templates are supported; PYSPARK_1_0 needs the Spark engine");
            }
            checkParameters(request);
            context.quotas().require(Quota.QUERY_TEXT_LENGTH,
                    request.sourceText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            List<AnalysisTemplate> existing = tx.of(Kinds.TEMPLATES).find("membership_id", membershipId.value());
            context.quotas().require(Quota.ANALYSIS_TEMPLATES_PER_MEMBERSHIP, existing.size() + 1);
            if (existing.stream().anyMatch(t -> t.name().equals(request.name()))) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.MEMBERSHIP,
                        membershipId.value(), "An analysis template named " + request.name() + " already exists");
            }
            List<String> referenced = referencedTables(tx, membership.collaborationId(), request.sourceText());
            Instant now = context.now();
            AnalysisTemplate template = new AnalysisTemplate(AnalysisTemplateId.random(), membershipId,
                    membership.collaborationId(), account, request.name(), request.description(), request.format(),
                    request.sourceText(), request.parameters(), referenced, now, now);
            tx.of(Kinds.TEMPLATES).insert(template);
            if (!request.tags().isEmpty()) {
                tx.of(Kinds.TAGS).insert(new TagSet(context.arns().analysisTemplate(account, membershipId,
                        template.id()), account, request.tags()));
            }
            return view(tx, template);
        });
    }

    /** Every :name in the text must be a declared parameter; declared names are unique. */
    private static void checkParameters(Create request) {
        Set<String> declared = new HashSet<>();
        for (int i = 0; i < request.parameters().size(); i++) {
            if (!declared.add(request.parameters().get(i).name())) {
                throw CleanroomException.validation("analysisParameters[" + i + "].name",
                        "Parameter " + request.parameters().get(i).name() + " is declared twice");
            }
        }
        Matcher m = PARAMETER.matcher(stripLiterals(request.sourceText()));
        while (m.find()) {
            if (!declared.contains(m.group(1))) {
                throw CleanroomException.validation("source.text",
                        "The query uses parameter :" + m.group(1) + " which analysisParameters does not declare");
            }
        }
    }

    /** Blanks out string literals and comments so that their contents are not taken for names. */
    static String stripLiterals(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'') {
                int end = i + 1;
                while (end < sql.length()) {
                    if (sql.charAt(end) == '\'') {
                        if (end + 1 < sql.length() && sql.charAt(end + 1) == '\'') {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                out.append(" ".repeat(Math.min(sql.length(), end + 1) - i));
                i = end + 1;
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? sql.length() : end;
                out.append(" ".repeat(end - i));
                i = end;
            } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? sql.length() : end + 2;
                out.append(" ".repeat(end - i));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * The collaboration's table names that the SQL text mentions as identifiers. The query-control
     * checker re-derives this from the parsed query when the template runs.
     */
    private static List<String> referencedTables(Tx tx, CollaborationId collaboration, String sql) {
        Set<String> names = new HashSet<>();
        for (Association a : tx.of(Kinds.ASSOCIATIONS).find("collaboration_id", collaboration.value())) {
            names.add(a.name().toLowerCase(Locale.ROOT));
        }
        Set<String> found = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(stripLiterals(sql));
        while (m.find()) {
            String identifier = m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2);
            if (names.contains(identifier.toLowerCase(Locale.ROOT))) {
                found.add(identifier.toLowerCase(Locale.ROOT));
            }
        }
        return new ArrayList<>(found);
    }

    private static AnalysisTemplate own(Tx tx, Membership membership, AnalysisTemplateId id) {
        return tx.of(Kinds.TEMPLATES).get(id.value())
                .filter(t -> t.membershipId().equals(membership.id()))
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.ANALYSIS_TEMPLATE, id.value()));
    }

    public View get(Caller caller, MembershipId membershipId, AnalysisTemplateId id) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> view(tx,
                own(tx, Lookups.ownMembership(tx, account, membershipId), id)));
    }

    public Page<View> list(Caller caller, MembershipId membershipId, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListAnalysisTemplates", caller, membershipId.value());
        return context.store().inTransaction(tx -> {
            Lookups.ownMembership(tx, account, membershipId);
            return listing.read(page,
                    (after, n) -> tx.of(Kinds.TEMPLATES).findAfter("membership_id", membershipId.value(), after, n),
                    Kinds.TEMPLATES::positionOf, t -> true)
                    .map(t -> view(tx, t));
        });
    }

    public View update(Caller caller, MembershipId membershipId, AnalysisTemplateId id, String description) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            AnalysisTemplate template = own(tx, Lookups.activeMembership(tx, account, membershipId), id);
            AnalysisTemplate updated = template.withDescription(description, context.now());
            tx.of(Kinds.TEMPLATES).update(updated);
            return view(tx, updated);
        });
    }

    public void delete(Caller caller, MembershipId membershipId, AnalysisTemplateId id) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            AnalysisTemplate template = own(tx, Lookups.ownMembership(tx, account, membershipId), id);
            tx.of(Kinds.TAGS).delete(context.arns().analysisTemplate(account, membershipId, template.id()));
            tx.of(Kinds.TEMPLATES).delete(id.value());
            return null;
        });
    }

    // ---- collaboration view ----

    private Optional<AnalysisTemplate> byArn(Tx tx, CollaborationId collaboration, String arn) {
        Optional<Arns.Parsed> parsed = Arns.parse(arn);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        String resource = parsed.get().resource();
        int slash = resource.lastIndexOf('/');
        String id = slash < 0 ? "" : resource.substring(slash + 1);
        return tx.of(Kinds.TEMPLATES).get(id)
                .filter(t -> t.collaborationId().equals(collaboration))
                .filter(t -> context.arns().analysisTemplate(t.ownerAccountId(), t.membershipId(), t.id()).equals(arn));
    }

    public View getInCollaboration(Caller caller, CollaborationId id, String arn) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Lookups.visibleCollaboration(tx, account, id);
            return byArn(tx, id, arn).map(t -> view(tx, t)).orElseThrow(() -> CleanroomException.notFound(ResourceType.ANALYSIS_TEMPLATE,
                    arn, "Analysis template " + arn + " does not exist in collaboration " + id));
        });
    }

    public Page<View> listInCollaboration(Caller caller, CollaborationId id, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListCollaborationAnalysisTemplates", caller, id.value());
        return context.store().inTransaction(tx -> {
            Lookups.visibleCollaboration(tx, account, id);
            return listing.read(page,
                    (after, n) -> tx.of(Kinds.TEMPLATES).findAfter("collaboration_id", id.value(), after, n),
                    Kinds.TEMPLATES::positionOf, t -> true)
                    .map(t -> view(tx, t));
        });
    }

    /** Templates found by ARN, and the ARNs not found. */
    public record Batch(List<View> templates, List<String> missing) {
    }

    public Batch batchGetInCollaboration(Caller caller, CollaborationId id, List<String> arns) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Lookups.visibleCollaboration(tx, account, id);
            List<View> found = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (String arn : arns) {
                byArn(tx, id, arn).ifPresentOrElse(t -> found.add(view(tx, t)), () -> missing.add(arn));
            }
            return new Batch(found, missing);
        });
    }
}
