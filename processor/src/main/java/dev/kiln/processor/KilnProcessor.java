package dev.kiln.processor;

import com.google.auto.service.AutoService;
import dev.kiln.processor.emit.ModelEmitter;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.NetworkSpec;
import dev.kiln.processor.model.Site;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * Kiln's annotation processor: for every {@code @Network} type, read, check, plan and emit
 * {@code <Type>Model}. Types that mention not-yet-generated types are deferred to a later round;
 * any unexpected exception becomes a compile error on the type, never a crashed build.
 */
@AutoService(Processor.class)
public final class KilnProcessor extends AbstractProcessor {
  static final String NETWORK = "dev.kiln.annotations.Network";

  /** Names of types deferred because something they mention was not generated yet. */
  private final Set<String> deferred = new LinkedHashSet<>();

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(NETWORK);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    List<TypeElement> types = new ArrayList<>();
    for (String name : deferred) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        types.add(type);
      }
    }
    deferred.clear();
    TypeElement network = processingEnv.getElementUtils().getTypeElement(NETWORK);
    if (network != null) {
      for (Element element : round.getElementsAnnotatedWith(network)) {
        if (element instanceof TypeElement type) {
          types.add(type);
        }
      }
    }
    // Deterministic output whatever order javac hands the elements in.
    types.sort(Comparator.comparing(t -> t.getQualifiedName().toString()));
    for (TypeElement type : types) {
      if (round.processingOver()) {
        if (NetworkReader.hasUnresolvedTypes(type)) {
          new Diagnostics(processingEnv.getMessager()).error(new Site(type, NetworkReader.mirror(type, "Network")), null,
              Message.UNRESOLVED_TYPES,
              type.getQualifiedName(), "see the other errors for which");
          continue;
        }
      } else if (NetworkReader.hasUnresolvedTypes(type)) {
        deferred.add(type.getQualifiedName().toString());
        continue;
      }
      processSafely(type);
    }
    return false;
  }

  private void processSafely(TypeElement type) {
    try {
      process(type);
    } catch (RuntimeException | IOException | Error e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
          Message.INTERNAL_ERROR.format(type.getQualifiedName(), trace), type);
    }
  }

  /** Methods of dev.kiln.runtime.Model and Object, read from the user's class path. */
  private Set<String> reservedMethods() {
    Set<String> names = new java.util.HashSet<>();
    for (String owner : List.of(NetworkReader.MODEL_TYPE, "java.lang.Object")) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(owner);
      if (type != null) {
        for (Element member : processingEnv.getElementUtils().getAllMembers(type)) {
          if (member.getKind() == javax.lang.model.element.ElementKind.METHOD) {
            names.add(member.getSimpleName().toString());
          }
        }
      }
    }
    names.add("core");
    return names;
  }

  private void process(TypeElement type) throws IOException {
    Diagnostics diagnostics = new Diagnostics(processingEnv.getMessager());
    NetworkSpec spec = new NetworkReader(processingEnv.getElementUtils(), diagnostics).read(type);
    if (spec == null) {
      return;
    }
    new NetworkChecker(diagnostics, reservedMethods()).check(spec);
    if (diagnostics.errorCount() > 0) {
      return;
    }
    NetworkPlan plan = new Planner(diagnostics).plan(spec);
    if (plan == null || diagnostics.errorCount() > 0) {
      return;
    }
    if (spec.weights() != null) {
      new WeightsCheck(processingEnv.getFiler(), diagnostics).check(plan, spec.weights());
      if (diagnostics.errorCount() > 0) {
        return;
      }
    }
    new ModelEmitter(plan)
        .withGeneratedAnnotation(GeneratedAnnotation.visibleFrom(processingEnv.getElementUtils(), type))
        .emit().writeTo(processingEnv.getFiler());
  }
}
