package dev.kiln.processor.model;

import java.lang.annotation.Annotation;
import java.util.List;
import javax.lang.model.element.ExecutableElement;

/**
 * What every layer kind's reader gets: the method, its layer annotation, and the names of the
 * layers its parameters take.
 */
public record LayerDeclaration(ExecutableElement method, Site site, List<String> inputs) {
  public LayerDeclaration {
    inputs = List.copyOf(inputs);
  }

  public String name() {
    return method.getSimpleName().toString();
  }

  /** The annotation's values, typed. */
  public <A extends Annotation> A annotation(Class<A> type) {
    return method.getAnnotation(type);
  }
}
