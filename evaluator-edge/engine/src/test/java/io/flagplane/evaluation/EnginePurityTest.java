package io.flagplane.evaluation;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine is an island: the edge node, the SDK and time travel all feed it the same view. */
class EnginePurityTest {

    private final JavaClasses engine = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.flagplane.evaluation");

    @Test
    void the_engine_imports_no_kafka_http_avro_or_json_library() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.kafka..", "io.javalin..", "org.eclipse.jetty..", "org.apache.avro..",
                        "io.flagplane.avro..", "com.fasterxml..", "org.slf4j..")
                .because("the engine must stay a pure island that any delivery layer can feed")
                .check(engine);
    }

    @Test
    void the_engine_depends_on_no_other_flagplane_package() {
        noClasses().should().dependOnClassesThat(resideInAPackage("io.flagplane..")
                        .and(not(resideInAPackage("io.flagplane.evaluation.."))))
                .check(engine);
    }
}
