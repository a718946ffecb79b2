package dev.kiln.processor;

import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/**
 * Whether generated code may carry {@code @javax.annotation.processing.Generated}. The annotation
 * lives in module {@code java.compiler}: code on the class path always sees it, but a named module
 * sees it only when it reads {@code java.compiler} (for instance through {@code requires static
 * java.compiler;}). Kiln never makes a modular user add that line: without it, the generated class
 * simply goes unannotated.
 */
final class GeneratedAnnotation {
  static final String NAME = "javax.annotation.processing.Generated";

  private GeneratedAnnotation() {}

  /** Whether {@link #NAME} is visible from the module that {@code type} belongs to. */
  static boolean visibleFrom(Elements elements, TypeElement type) {
    ModuleElement module = elements.getModuleOf(type);
    if (module == null || module.isUnnamed()) {
      return elements.getTypeElement(NAME) != null;
    }
    // Resolved as seen from the module: null when the module does not read java.compiler.
    return elements.getTypeElement(module, NAME) != null;
  }
}
