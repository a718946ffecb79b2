package dev.kiln.processor.model;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.util.Elements;

/**
 * Where a declaration lives in source: the element and the annotation on it, so that every
 * diagnostic can point at the exact annotation value to change.
 *
 * @param element the annotated type or method
 * @param annotation the annotation's mirror; null where the value is a default of an absent annotation
 */
public record Site(Element element, AnnotationMirror annotation) {
  /** The explicitly written value of {@code name}, or null when the default applies. */
  public AnnotationValue value(String name) {
    if (annotation == null) {
      return null;
    }
    for (var entry : annotation.getElementValues().entrySet()) {
      ExecutableElement key = entry.getKey();
      if (key.getSimpleName().contentEquals(name)) {
        return entry.getValue();
      }
    }
    return null;
  }

  /** Whether {@code name} was written out rather than defaulted. */
  public boolean has(String name) {
    return value(name) != null;
  }

  /** The value of {@code name}, written or defaulted. */
  public Object valueOrDefault(Elements elements, String name) {
    for (var entry : elements.getElementValuesWithDefaults(annotation).entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(name)) {
        return entry.getValue().getValue();
      }
    }
    throw new IllegalArgumentException("no annotation element " + name);
  }
}
