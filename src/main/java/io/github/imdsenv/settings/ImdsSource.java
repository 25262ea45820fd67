package io.github.imdsenv.settings;

import java.net.URI;

/**
 * Where and how to ask the instance metadata service.
 *
 * @param endpoint its base URL
 * @param endpointOrigin where {@code endpoint} came from, for messages: "--endpoint", a variable
 * @param role the role to use, null to discover it
 * @param v1Disabled never fall back to IMDSv1
 * @param disabled AWS_EC2_METADATA_DISABLED: do not ask at all
 */
public record ImdsSource(
    URI endpoint, String endpointOrigin, String role, boolean v1Disabled, boolean disabled) {}
