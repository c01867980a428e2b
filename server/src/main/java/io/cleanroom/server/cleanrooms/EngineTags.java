package io.cleanroom.server.cleanrooms;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.TagSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cleanroom's own tags ({@value TagSet#RESERVED_PREFIX}...), as a wire rule: the only one is
 * {@value TagSet#ENGINE}, set on a collaboration (by its creator, the only account that can tag
 * it) to one of the engines the server runs. Any other key of the prefix, or the engine tag on
 * another resource, is refused: it would mean nothing.
 */
final class EngineTags {
    private static final Pattern COLLABORATION_ARN = Pattern.compile(
            "arn:[^:]+:cleanrooms:[^:]*:\\d{12}:collaboration/[^/]+");

    private EngineTags() {
    }

    /** Tags set on a collaboration (being created, or by its ARN), given the engines the server runs. */
    static void onCollaboration(Map<String, String> tags, Set<String> engines) {
        if (tags == null) {
            return;
        }
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            if (!tag.getKey().startsWith(TagSet.RESERVED_PREFIX)) {
                continue;
            }
            if (!tag.getKey().equals(TagSet.ENGINE)) {
                throw unknown(tag.getKey());
            }
            String engine = tag.getValue().toLowerCase(Locale.ROOT);
            if (!engines.contains(engine)) {
                throw CleanroomException.validation("tags", "The tag " + TagSet.ENGINE + " names the engine that "
                        + "runs the collaboration's queries, one this server runs: "
                        + String.join(" or ", new java.util.TreeSet<>(engines)) + "; '" + shortened(tag.getValue())
                        + "' is not one of them");
            }
        }
    }

    /** Tags set on the resource of this ARN. */
    static void onResource(String arn, Map<String, String> tags, Set<String> engines) {
        if (arn != null && COLLABORATION_ARN.matcher(arn).matches()) {
            onCollaboration(tags, engines);
        } else {
            onOther(tags);
        }
    }

    /** Tags set on anything but a collaboration. */
    static void onOther(Map<String, String> tags) {
        if (tags == null) {
            return;
        }
        for (String key : tags.keySet()) {
            if (key.equals(TagSet.ENGINE)) {
                throw CleanroomException.validation("tags", "The tag " + TagSet.ENGINE + " pins a collaboration's "
                        + "engine; set it on the collaboration");
            }
            if (key.startsWith(TagSet.RESERVED_PREFIX)) {
                throw unknown(key);
            }
        }
    }

    private static CleanroomException unknown(String key) {
        return CleanroomException.validation("tags", "Tag keys beginning " + TagSet.RESERVED_PREFIX + " are "
                + "Cleanroom's; '" + shortened(key) + "' is not one of them (the only one is " + TagSet.ENGINE + ")");
    }

    private static String shortened(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "..." : value;
    }
}
