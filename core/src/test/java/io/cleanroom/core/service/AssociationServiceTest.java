package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AnalysisMethod;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.AssociationId;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.GlueTableReference;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.store.Kinds;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssociationServiceTest extends ServiceTestSupport {
    private static final String ROLE = "arn:aws:iam::111111111111:role/cleanrooms";

    private final Caller publisher = account("111111111111");
    private final Caller advertiser = account("222222222222");
    private final CollaborationId collaboration = collaborations.create(publisher, collaboration("c",
            List.of(member(advertiser, MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS))))
            .collaboration().id();
    private final MembershipId publisherMembership = memberships.create(publisher, join(collaboration))
            .membership().id();
    private final MembershipId advertiserMembership = memberships.create(advertiser, join(collaboration))
            .membership().id();

    private ConfiguredTableId table(Caller owner, String name) {
        catalogTable(owner, "lab", name, "user_id_hash", "segment");
        return tables.create(owner, new ConfiguredTableService.Create(name, null,
                new GlueTableReference("lab", name, null), List.of("user_id_hash", "segment"),
                AnalysisMethod.DIRECT_QUERY, null, Map.of())).table().id();
    }

    private AssociationService.View associate(Caller owner, MembershipId membership, ConfiguredTableId table,
            String name) {
        return associations.create(owner, membership, new AssociationService.Create(name, null, table, ROLE,
                Map.of()));
    }

    @Test
    void namesDifferingOnlyInCaseAreRefusedAcrossTheCollaboration() {
        AssociationService.View first = associate(publisher, publisherMembership, table(publisher, "pub"),
                "pub_audience");
        ConfiguredTableId advertiserTable = table(advertiser, "adv");
        for (String name : List.of("PUB_AUDIENCE", "Pub_Audience", "pub_audience")) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> associate(advertiser, advertiserMembership, advertiserTable, name));
            assertThat(e).as(name).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
            assertThat(e.resourceType()).contains(ResourceType.CONFIGURED_TABLE_ASSOCIATION);
            assertThat(e.resourceId()).contains(first.association().id().value());
            assertThat(e.getMessage()).contains("A table named pub_audience is already associated");
            if (!name.equals("pub_audience")) {
                assertThat(e.getMessage()).contains(name + " would be ambiguous");
            }
        }
        // within the owner's own membership too
        CleanroomException own = catchThrowableOfType(CleanroomException.class,
                () -> associate(publisher, publisherMembership, table(publisher, "pub2"), "PUB_audience"));
        assertThat(own.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
        // a name that differs in more than case is fine, and nothing was stored by the refusals
        associate(advertiser, advertiserMembership, advertiserTable, "pub_audience_2");
        assertThat(schemas.list(advertiser, collaboration, Page.Request.ALL).items())
                .extracting(SchemaService.Schema::name).containsExactly("pub_audience", "pub_audience_2");
    }

    @Test
    void duplicatesStoredBeforeTheRuleStayReadable() {
        AssociationService.View first = associate(publisher, publisherMembership, table(publisher, "pub"),
                "pub_audience");
        ConfiguredTableId advertiserTable = table(advertiser, "adv");
        Association stored = new Association(AssociationId.random(), advertiserMembership, collaboration,
                advertiser.account(), advertiserTable, "PUB_AUDIENCE", null, ROLE, context.now(), context.now());
        store.inTransaction(tx -> {
            tx.of(Kinds.ASSOCIATIONS).insert(stored);
            return null;
        });
        assertThat(associations.get(advertiser, advertiserMembership, stored.id()).association().name())
                .isEqualTo("PUB_AUDIENCE");
        assertThat(associations.list(advertiser, advertiserMembership, Page.Request.ALL).items())
                .extracting(v -> v.association().name()).containsExactly("PUB_AUDIENCE");
        assertThat(associations.get(publisher, publisherMembership, first.association().id()).association().name())
                .isEqualTo("pub_audience");
        assertThat(schemas.list(publisher, collaboration, Page.Request.ALL).items())
                .extracting(SchemaService.Schema::name).containsExactly("PUB_AUDIENCE", "pub_audience");
        assertThat(schemas.get(publisher, collaboration, "PUB_AUDIENCE").association().id()).isEqualTo(stored.id());
        // their owners can still change and delete them, and a third spelling is refused
        associations.update(advertiser, advertiserMembership, stored.id(), "renamed soon", null);
        CleanroomException third = catchThrowableOfType(CleanroomException.class,
                () -> associate(publisher, publisherMembership, table(publisher, "pub2"), "Pub_Audience"));
        assertThat(third.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
        associations.delete(advertiser, advertiserMembership, stored.id());
        assertThat(schemas.list(publisher, collaboration, Page.Request.ALL).items())
                .extracting(SchemaService.Schema::name).containsExactly("pub_audience");
    }
}
