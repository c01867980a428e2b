package io.cleanroom.core.model;

/** Machine-learning abilities of a member (AWS CustomMLMemberAbility). */
public enum MLMemberAbility {
    CAN_RECEIVE_MODEL_OUTPUT,CAN_RECEIVE_INFERENCE_OUTPUT
}
