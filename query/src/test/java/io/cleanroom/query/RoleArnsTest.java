package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.AccountId;
import org.junit.jupiter.api.Test;

class RoleArnsTest {
    private static final AccountId OWNER = new AccountId("111111111111");

    @Test
    void theOwnersRoleNamedAsTheConnection() {
        assertThat(RoleArns.names("arn:aws:iam::111111111111:role/pub-lake", OWNER, "pub-lake")).isTrue();
        assertThat(RoleArns.names("arn:aws:iam::111111111111:role/PUB-LAKE", OWNER, "pub-lake")).isTrue();
        assertThat(RoleArns.names("arn:aws:iam::111111111111:role/service/cleanrooms/pub-lake", OWNER, "pub-lake"))
                .isTrue();
        assertThat(RoleArns.names("arn:aws:iam::222222222222:role/pub-lake", OWNER, "pub-lake")).isFalse();
        assertThat(RoleArns.names("arn:aws:iam::111111111111:role/pub-lake2", OWNER, "pub-lake")).isFalse();
        assertThat(RoleArns.names("arn:aws:iam::111111111111:user/pub-lake", OWNER, "pub-lake")).isFalse();
        assertThat(RoleArns.names("arn:aws:iam::111111111111:role/pub-lake/", OWNER, "pub-lake")).isFalse();
        assertThat(RoleArns.names("arn:aws:iam::111111111111:role//pub-lake", OWNER, "pub-lake")).isFalse();
        assertThat(RoleArns.names(null, OWNER, "pub-lake")).isFalse();
    }
}
