// Admission form: choosing a department offers one of its own doctors as the attending
// doctor (any bookable doctor may still be chosen). Works without it, too.
(function () {
  "use strict";
  var department = document.getElementById("department_id");
  var doctor = document.getElementById("doctor_id");
  if (!department || !doctor) return;

  function departmentName() {
    var option = department.options[department.selectedIndex];
    return option && option.value ? option.text.replace(/ \(\d+ of \d+ beds free\)$/, "") : "";
  }

  department.addEventListener("change", function () {
    var name = departmentName();
    var current = doctor.options[doctor.selectedIndex];
    if (!name || (current && current.parentNode.label === name)) return;
    var groups = doctor.getElementsByTagName("optgroup");
    for (var i = 0; i < groups.length; i++) {
      if (groups[i].label === name && groups[i].children.length) {
        doctor.value = groups[i].children[0].value;
        return;
      }
    }
  });
})();
