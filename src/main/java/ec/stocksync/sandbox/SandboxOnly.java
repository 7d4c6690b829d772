package ec.stocksync.sandbox;

import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.enterprise.inject.Stereotype;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one switch that keeps the sandbox out of prod: a build whose profile is neither dev nor test (the jar of
 * {@code ./mvnw package}, the native image) drops every class carrying it, as a bean, a REST endpoint and an OpenAPI
 * entry, so no run-time setting can bring a simulator or the demo back. Every bean and resource of
 * {@code ec.stocksync.sandbox} carries it; the rest of the package is plain classes that only those beans and the
 * tests create. {@code SandboxAbsentFromProdIT} checks the packaged app.
 *
 * <p>An allow-list ({@code anyOf} dev, test) rather than "unless prod": a build for any other profile is a release too.
 */
@Stereotype
@IfBuildProfile(anyOf = {"dev", "test"})
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SandboxOnly {
}
