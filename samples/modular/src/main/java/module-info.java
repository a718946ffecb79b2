/** Uses Kiln from the module path; reads neither java.compiler nor anything else on purpose. */
module com.example.modular {
  requires dev.kiln.annotations;
  requires dev.kiln.runtime;
}
