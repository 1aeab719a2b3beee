// Booking form: department filters doctors; doctor + date load the free time slots.
(function () {
  "use strict";
  const form = document.getElementById("booking-form");
  if (!form) return;
  const department = form.querySelector("#department");
  const doctor = form.querySelector("#doctor_id");
  const date = form.querySelector("#date");
  const time = form.querySelector("#time");
  const status = form.querySelector("#slot-status");
  const api = form.dataset.apiDoctors;
  let request = 0;

  function filterDoctors() {
    const wanted = department.value;
    for (const group of doctor.querySelectorAll("optgroup")) {
      const show = !wanted || group.dataset.department === wanted;
      group.hidden = !show;
      group.disabled = !show;
    }
    const chosen = doctor.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) {
      doctor.value = "";
    }
  }

  function setOptions(slots, placeholder) {
    const previous = time.value;
    time.replaceChildren(new Option(placeholder, ""));
    for (const slot of slots) {
      time.add(new Option(slot, slot, false, slot === previous));
    }
  }

  async function loadSlots() {
    if (!doctor.value || !date.value) {
      setOptions([], "Pick a doctor and date");
      status.textContent = "";
      return;
    }
    const mine = ++request;
    status.textContent = "Loading free times…";
    try {
      const url = `${api}/${encodeURIComponent(doctor.value)}/slots?date=${encodeURIComponent(date.value)}`;
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (mine !== request) return;
      const slots = response.ok ? await response.json() : [];
      if (mine !== request) return;
      setOptions(slots, slots.length ? "Choose a time" : "No free times on this day");
      status.textContent = slots.length
        ? `${slots.length} free time${slots.length === 1 ? "" : "s"} on this day.`
        : "No free times on this day. Please try another date.";
    } catch (error) {
      if (mine === request) status.textContent = "Could not load free times. Check your connection and try again.";
    }
  }

  department.addEventListener("change", () => {
    filterDoctors();
    loadSlots();
  });
  doctor.addEventListener("change", () => {
    const chosen = doctor.selectedOptions[0];
    if (chosen && chosen.dataset.department) department.value = chosen.dataset.department;
    filterDoctors();
    loadSlots();
  });
  date.addEventListener("change", loadSlots);

  filterDoctors();
  if (doctor.value && date.value && time.options.length <= 1) loadSlots();
})();
