package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.GlueTableReference;
import io.cleanroom.core.model.MLMemberAbility;
import io.cleanroom.core.model.PaymentConfiguration;
import io.cleanroom.core.model.ResultConfiguration;
import io.cleanroom.core.model.ResultFormat;
import io.cleanroom.core.model.S3Output;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The nested shapes several requests share, read with the reference's constraints and written
 * back as the wire has them: payment configurations, ML abilities, S3 outputs and result
 * configurations, Glue table references.
 */
final class Shapes {
    static final Pattern S3_BUCKET = Pattern.compile("^[a-z0-9.-]{3,63}$");
    static final Pattern KEY_PREFIX = Pattern.compile("^[\\w!.=*/-]*$");
    static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-\\d$");
    static final Pattern GLUE_NAME = Pattern.compile("^[a-zA-Z0-9_-]+$");
    static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private Shapes() {
    }

    /** paymentConfiguration: queryCompute (required), jobCompute; machineLearning is accepted and ignored. */
    static PaymentConfiguration payment(In in, String field) {
        In p = in.object(field, false);
        if (p == null) {
            return null;
        }
        In query = p.object("queryCompute", true);
        Boolean responsible = query == null ? null : query.bool("isResponsible", true);
        In job = p.object("jobCompute", false);
        Boolean jobResponsible = job == null ? null : job.bool("isResponsible", true);
        p.object("machineLearning", false);
        return responsible == null ? null : new PaymentConfiguration(responsible, jobResponsible);
    }

    static ObjectNode payment(PaymentConfiguration p) {
        ObjectNode node = Json.object();
        node.putObject("queryCompute").put("isResponsible", p.queryComputeResponsible());
        if (p.jobComputeResponsible() != null) {
            node.putObject("jobCompute").put("isResponsible", p.jobComputeResponsible());
        }
        return node;
    }

    /** {customMLMemberAbilities: [...]}; empty when absent. */
    static List<MLMemberAbility> mlAbilities(In in, String field) {
        In ml = in.object(field, false);
        if (ml == null) {
            return List.of();
        }
        List<MLMemberAbility> out = ml.enums("customMLMemberAbilities", MLMemberAbility.class, true, 1, 10);
        return out == null ? List.of() : out;
    }

    static void putMlAbilities(ObjectNode node, String field, List<MLMemberAbility> abilities) {
        if (!abilities.isEmpty()) {
            node.putObject(field).set("customMLMemberAbilities", Json.strings(abilities));
        }
    }

    /** An s3 output: resultFormat, bucket, keyPrefix, singleFileOutput; null when absent or invalid (reported). */
    static S3Output s3(In s3) {
        if (s3 == null) {
            return null;
        }
        ResultFormat format = s3.enumValue("resultFormat", ResultFormat.class, true);
        String bucket = s3.string("bucket", true, 3, 63, S3_BUCKET);
        String keyPrefix = s3.string("keyPrefix", false, 0, 512, KEY_PREFIX);
        Boolean single = s3.bool("singleFileOutput", false);
        return format == null || bucket == null ? null : new S3Output(format, bucket, keyPrefix, single);
    }

    static ObjectNode s3(S3Output output) {
        ObjectNode s3 = Json.object();
        s3.put("resultFormat", output.resultFormat().name());
        s3.put("bucket", output.bucket());
        Json.putIfNotNull(s3, "keyPrefix", output.keyPrefix());
        if (output.singleFileOutput() != null) {
            s3.put("singleFileOutput", output.singleFileOutput());
        }
        return s3;
    }

    /** A membership's defaultResultConfiguration: outputConfiguration.s3 and roleArn. */
    static ResultConfiguration resultConfiguration(In body, String field) {
        In r = body.object(field, false);
        if (r == null) {
            return null;
        }
        In output = r.object("outputConfiguration", true);
        String roleArn = r.string("roleArn", false, 32, 512, In.ROLE_ARN);
        if (output == null) {
            return null;
        }
        String kind = output.union("s3");
        if (kind == null) {
            return null;
        }
        S3Output s3 = s3(output.object("s3", true));
        return s3 == null ? null : new ResultConfiguration(s3, roleArn);
    }

    static ObjectNode resultConfiguration(ResultConfiguration r) {
        ObjectNode node = Json.object();
        node.putObject("outputConfiguration").set("s3", s3(r.s3()));
        Json.putIfNotNull(node, "roleArn", r.roleArn());
        return node;
    }

    /** tableReference.glue (databaseName and tableName as the catalog keeps them, lower case). */
    static GlueTableReference tableReference(In body, boolean required) {
        In reference = body.object("tableReference", required);
        if (reference == null) {
            return null;
        }
        String kind = reference.union("glue", "snowflake", "athena");
        if (kind == null) {
            return null;
        }
        if (!kind.equals("glue")) {
            reference.error(kind, "Only glue table references are supported by Cleanroom; register the table in "
                    + "your catalog and reference it with glue.databaseName and glue.tableName");
            return null;
        }
        In glue = reference.object("glue", true);
        if (glue == null) {
            return null;
        }
        String table = glue.string("tableName", true, 0, 128, GLUE_NAME);
        String database = glue.string("databaseName", true, 0, 128, GLUE_NAME);
        String region = glue.string("region", false, 1, 32, REGION);
        if (table == null || database == null) {
            return null;
        }
        return new GlueTableReference(database.toLowerCase(Locale.ROOT), table.toLowerCase(Locale.ROOT), region);
    }

    static ObjectNode tableReference(GlueTableReference reference) {
        ObjectNode node = Json.object();
        ObjectNode glue = node.putObject("glue");
        glue.put("tableName", reference.tableName());
        glue.put("databaseName", reference.databaseName());
        Json.putIfNotNull(glue, "region", reference.region());
        return node;
    }

    static void putTags(ObjectNode node, java.util.Map<String, String> tags) {
        if (!tags.isEmpty()) {
            ObjectNode out = node.putObject("tags");
            tags.forEach(out::put);
        }
    }
}
