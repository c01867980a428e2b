package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.ListCollaborationsRequest;

class SmokeIT {
    @Test
    void sdkCanListCollaborations() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.StoreKind.SQLITE)) {
            TestCluster.Keys keys = cluster.createAccount("111111111111", "publisher");
            try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
                assertThat(client.listCollaborations(ListCollaborationsRequest.builder().build()).collaborationList())
                        .isEmpty();
            }
        }
    }
}
