"""Fill translations into backend/locale/*/django.po from a table (a maintainer's tool).

    python tools/po_fill.py        then: cd backend && django-admin compilemessages

Only empty or fuzzy entries are filled; what a translator wrote stays. Needs polib
(pip install polib); nothing at run time does.
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "backend" / "locale"

# msgid -> {language: translation}; a plural entry maps to a (singular, plural) pair.
TABLE: dict[str, dict[str, object]] = {
    "Agents": {"es": "Agentes"},
    "Agent console": {"es": "Consola del agente"},
    "site": {"es": "sitio"},
    "shortcut": {"es": "atajo"},
    "Use 1-32 lowercase letters, digits, - or _.":
        {"es": "Usa de 1 a 32 letras minúsculas, dígitos, - o _."},
    "Typed as /shortcut in the composer.": {"es": "Se escribe como /atajo en el mensaje."},
    "text": {"es": "texto"},
    "canned response": {"es": "respuesta rápida"},
    "canned responses": {"es": "respuestas rápidas"},
    "Language": {"es": "Idioma"},
    "Change": {"es": "Cambiar"},
    "Console": {"es": "Consola"},
    "The console needs JavaScript.": {"es": "La consola necesita JavaScript."},
    "Connecting…": {"es": "Conectando…"},
    "Account": {"es": "Cuenta"},
    "%(name)s settings": {"es": "Configuración de %(name)s"},
    "Change password": {"es": "Cambiar contraseña"},
    "Log out %(name)s": {"es": "Salir (%(name)s)"},
    "Log in": {"es": "Entrar"},
    "Papo agent console": {"es": "Consola de atención de Papo"},
    "Your username and password didn't match. Please try again.":
        {"es": "Usuario o contraseña incorrectos. Inténtalo de nuevo."},
    "Your account doesn't have access to this page.":
        {"es": "Tu cuenta no tiene acceso a esta página."},
    "Username": {"es": "Usuario"},
    "Password": {"es": "Contraseña"},
    "Password changed": {"es": "Contraseña cambiada"},
    "Back to the console": {"es": "Volver a la consola"},
    "No access": {"es": "Sin acceso"},
    "Only the site's admins can change its settings.":
        {"es": "Solo los administradores del sitio pueden cambiar su configuración."},
    "You are signed in as %(name)s, but this account is not an agent of any site, so the "
    "console has nothing for you.":
        {"es": "Entraste como %(name)s, pero esta cuenta no es agente de ningún sitio, así "
               "que la consola no tiene nada para ti."},
    "Ask a site admin to add you to their site, then sign in again.":
        {"es": "Pide a un administrador del sitio que te añada y vuelve a entrar."},
    "Embed snippet": {"es": "Código de instalación"},
    "Paste this tag into every page of your site, just before the closing body tag.":
        {"es": "Pega esta etiqueta en todas las páginas de tu sitio, justo antes del cierre "
               "de la etiqueta body."},
    "Copied": {"es": "Copiado"},
    "Copy": {"es": "Copiar"},
    "Site key": {"es": "Clave del sitio"},
    "Save": {"es": "Guardar"},
    "Allowed origins": {"es": "Orígenes permitidos"},
    "Widget colour": {"es": "Color del widget"},
    "Greeting": {"es": "Saludo"},
    "Offline message": {"es": "Mensaje fuera de horario"},
    "Ask for name and email before the chat (pre-chat form)":
        {"es": "Pedir nombre y correo antes de la conversación (formulario previo)"},
    "Widget language": {"es": "Idioma del widget"},
    "Exact origins that may embed the widget, one per line, e.g. https://shop.example":
        {"es": "Orígenes exactos que pueden incrustar el widget, uno por línea, p. ej. "
               "https://tienda.ejemplo"},
    "Settings saved.": {"es": "Configuración guardada."},
    "Conversations": {"es": "Conversaciones"},
    "Waiting": {"es": "En espera"},
    "Open": {"es": "Abierta"},
    "Resolved": {"es": "Resuelta"},
    "Visitor": {"es": "Visitante"},
    "Agent": {"es": "Agente"},
    "System": {"es": "Sistema"},
    "Home": {"pt_BR": "Início", "es": "Inicio"},
    "No, take me back": {"pt_BR": "Não, voltar", "es": "No, volver"},
    "internal note": {"pt_BR": "nota interna", "es": "nota interna"},
    "Unsubscribe from these e-mails": {"pt_BR": "Não quero mais receber estes e-mails",
                                       "es": "No quiero recibir más estos correos"},
    "You have a reply from %(site)s": {"pt_BR": "Você tem uma resposta de %(site)s",
                                       "es": "Tienes una respuesta de %(site)s"},
    "%(site)s answered you in the chat, and you have not seen it yet:":
        {"pt_BR": "%(site)s respondeu você no chat, e você ainda não viu:",
         "es": "%(site)s te respondió en el chat y todavía no lo has visto:"},
    "Continue the chat": {"pt_BR": "Continuar a conversa", "es": "Continuar la conversación"},
    "The link works once, for %(days)s day.": {
        "pt_BR": ("O link funciona uma vez, por %(days)s dia.",
                  "O link funciona uma vez, por %(days)s dias."),
        "es": ("El enlace funciona una vez, durante %(days)s día.",
               "El enlace funciona una vez, durante %(days)s días.")},
    "You get this because you gave your e-mail address in the chat on %(site)s.":
        {"pt_BR": "Você recebe isto porque deu seu e-mail no chat de %(site)s.",
         "es": "Recibes esto porque diste tu correo en el chat de %(site)s."},
    "Transcript: chat with %(who)s": {"pt_BR": "Transcrição: conversa com %(who)s",
                                      "es": "Transcripción: conversación con %(who)s"},
    "The chat with %(who)s was resolved.": {"pt_BR": "A conversa com %(who)s foi resolvida.",
                                            "es": "La conversación con %(who)s se resolvió."},
    "E-mail": {"pt_BR": "E-mail", "es": "Correo"},
    "Open the conversation in Papo": {"pt_BR": "Abrir a conversa no Papo",
                                      "es": "Abrir la conversación en Papo"},
    "Papo sends this to the notification address of %(site)s.":
        {"pt_BR": "O Papo envia isto para o endereço de notificações de %(site)s.",
         "es": "Papo envía esto a la dirección de avisos de %(site)s."},
    "Transcript: chat with %(who)s on %(site)s":
        {"pt_BR": "Transcrição: conversa com %(who)s em %(site)s",
         "es": "Transcripción: conversación con %(who)s en %(site)s"},
    "Your conversation with %(site)s": {"pt_BR": "Sua conversa com %(site)s",
                                        "es": "Tu conversación con %(site)s"},
    "Here is your conversation with %(site)s, as you asked.":
        {"pt_BR": "Aqui está sua conversa com %(site)s, como você pediu.",
         "es": "Aquí está tu conversación con %(site)s, como pediste."},
    "You get this because you asked for it in the chat on %(site)s.":
        {"pt_BR": "Você recebe isto porque pediu no chat de %(site)s.",
         "es": "Recibes esto porque lo pediste en el chat de %(site)s."},
    "Unanswered chat from %(who)s": {"pt_BR": "Conversa sem resposta de %(who)s",
                                     "es": "Conversación sin respuesta de %(who)s"},
    "A visitor wrote on %(site)s and nobody has answered yet.":
        {"pt_BR": "Um visitante escreveu em %(site)s e ninguém respondeu ainda.",
         "es": "Un visitante escribió en %(site)s y nadie ha respondido todavía."},
    "Page": {"pt_BR": "Página", "es": "Página"},
    "Unanswered chat from %(who)s on %(site)s":
        {"pt_BR": "Conversa sem resposta de %(who)s em %(site)s",
         "es": "Conversación sin respuesta de %(who)s en %(site)s"},
    "Unsubscribe": {"pt_BR": "Cancelar inscrição", "es": "Darse de baja"},
    "This link does not work": {"pt_BR": "Este link não funciona",
                                "es": "Este enlace no funciona"},
    "It may have been changed on its way. Use the link in the e-mail as it came.":
        {"pt_BR": "Talvez tenha sido alterado no caminho. Use o link do e-mail como ele veio.",
         "es": "Puede que se haya alterado por el camino. Usa el enlace del correo tal como "
               "llegó."},
    "You are unsubscribed": {"pt_BR": "Inscrição cancelada", "es": "Te has dado de baja"},
    "%(email)s will get no more e-mails from %(site)s through Papo.":
        {"pt_BR": "%(email)s não vai mais receber e-mails de %(site)s pelo Papo.",
         "es": "%(email)s no recibirá más correos de %(site)s a través de Papo."},
    "Stop e-mails from %(site)s to %(email)s?":
        {"pt_BR": "Parar os e-mails de %(site)s para %(email)s?",
         "es": "¿Dejar de enviar correos de %(site)s a %(email)s?"},
    "%(agent)s joined the conversation": {"pt_BR": "%(agent)s entrou na conversa",
                                          "es": "%(agent)s se unió a la conversación"},
    "%(from)s passed the conversation to %(to)s":
        {"pt_BR": "%(from)s passou a conversa para %(to)s",
         "es": "%(from)s pasó la conversación a %(to)s"},
    "%(by)s marked the conversation as resolved":
        {"pt_BR": "%(by)s marcou a conversa como resolvida",
         "es": "%(by)s marcó la conversación como resuelta"},
    "%(agent)s reopened the conversation": {"pt_BR": "%(agent)s reabriu a conversa",
                                            "es": "%(agent)s reabrió la conversación"},
    "The conversation went back to the queue": {"pt_BR": "A conversa voltou para a fila",
                                                "es": "La conversación volvió a la cola"},
    "The conversation was ended": {"pt_BR": "A conversa foi encerrada",
                                   "es": "La conversación terminó"},
    "Consent-free mode": {"pt_BR": "Modo que dispensa consentimento",
                          "es": "Modo sin consentimiento"},
    "The widget stores nothing in the visitor's browser and contacts Papo only once they "
    "click the launcher. Copy the embed snippet again after changing this: it carries the "
    "setting.": {
        "pt_BR": "O widget não guarda nada no navegador do visitante e só contata o Papo "
                 "quando ele clica no botão do chat. Copie de novo o código de incorporação "
                 "depois de mudar isto: é ele que leva a configuração.",
        "es": "El widget no guarda nada en el navegador del visitante y solo contacta a Papo "
              "cuando hace clic en el botón del chat. Copia de nuevo el código de instalación "
              "después de cambiar esto: es él quien lleva la configuración."},
    "time zone": {"pt_BR": "fuso horário", "es": "zona horaria"},
    "Time zone": {"pt_BR": "Fuso horário", "es": "Zona horaria"},
    "The zone the opening hours are written in, e.g. Europe/Lisbon.": {
        "pt_BR": "O fuso em que o horário de atendimento está escrito, p. ex. "
                 "America/Sao_Paulo.",
        "es": "La zona en la que está escrito el horario de atención, p. ej. Europe/Madrid."},
    "opening hours": {"pt_BR": "horário de atendimento", "es": "horario de atención"},
    "Opening hours": {"pt_BR": "Horário de atendimento", "es": "Horario de atención"},
    "One line per day or days: “mon-fri 09:00-18:00”, “sat 10:00-13:00 15:00-19:00”; "
    "past midnight: “fri 22:00-02:00”. Empty: always open.": {
        "pt_BR": "Uma linha por dia ou dias (em inglês: mon tue wed thu fri sat sun): "
                 "“mon-fri 09:00-18:00”, “sat 10:00-13:00 15:00-19:00”; depois da "
                 "meia-noite: “fri 22:00-02:00”. Vazio: sempre aberto.",
        "es": "Una línea por día o días (en inglés: mon tue wed thu fri sat sun): "
              "“mon-fri 09:00-18:00”, “sat 10:00-13:00 15:00-19:00”; pasada la "
              "medianoche: “fri 22:00-02:00”. Vacío: siempre abierto."},
    "holidays": {"pt_BR": "feriados", "es": "festivos"},
    "Holidays": {"pt_BR": "Feriados", "es": "Festivos"},
    "Days closed, one per line: 2025-12-25, or 12-25 for every year.": {
        "pt_BR": "Dias fechados, um por linha: 2025-12-25, ou 12-25 para todos os anos.",
        "es": "Días cerrados, uno por línea: 2025-12-25, o 12-25 para todos los años."},
    "keep a waiting visitor's place (minutes)": {
        "pt_BR": "manter o lugar de um visitante na fila (minutos)",
        "es": "mantener el lugar de un visitante en la cola (minutos)"},
    "Keep a waiting visitor's place (minutes)": {
        "pt_BR": "Manter o lugar de um visitante na fila (minutos)",
        "es": "Mantener el lugar de un visitante en la cola (minutos)"},
    "A visitor waiting in the queue who has had no page of the site open for this long "
    "leaves it; their chat is closed as abandoned (0: never).": {
        "pt_BR": "Um visitante na fila que ficou esse tempo sem nenhuma página do site aberta "
                 "sai dela; a conversa é encerrada como abandonada (0: nunca).",
        "es": "Un visitante en la cola que pasa este tiempo sin ninguna página del sitio "
              "abierta sale de ella; su conversación se cierra como abandonada (0: nunca)."},
    "%(name)s is not a time zone (use a name such as Europe/Lisbon or America/Sao_Paulo).": {
        "pt_BR": "%(name)s não é um fuso horário (use um nome como America/Sao_Paulo ou "
                 "Europe/Lisbon).",
        "es": "%(name)s no es una zona horaria (usa un nombre como Europe/Madrid o "
              "America/Mexico_City)."},
    "Line %(n)d (“%(line)s”) is not “<days> <from>-<to>”, e.g. “mon-fri 09:00-18:00” or "
    "“sat 10:00-14:00 16:00-20:00” (days: mon tue wed thu fri sat sun; times 00:00 to "
    "24:00).": {
        "pt_BR": "A linha %(n)d (“%(line)s”) não está no formato “<dias> <de>-<até>”, p. ex. "
                 "“mon-fri 09:00-18:00” ou “sat 10:00-14:00 16:00-20:00” (dias em inglês: "
                 "mon tue wed thu fri sat sun; horas de 00:00 a 24:00).",
        "es": "La línea %(n)d (“%(line)s”) no tiene la forma “<días> <desde>-<hasta>”, p. ej. "
              "“mon-fri 09:00-18:00” o “sat 10:00-14:00 16:00-20:00” (días en inglés: "
              "mon tue wed thu fri sat sun; horas de 00:00 a 24:00)."},
    "“%(item)s” is not a date: write YYYY-MM-DD, or MM-DD for every year.": {
        "pt_BR": "“%(item)s” não é uma data: escreva AAAA-MM-DD, ou MM-DD para todos os anos.",
        "es": "“%(item)s” no es una fecha: escribe AAAA-MM-DD, o MM-DD para todos los años."},
    "Notification address": {"pt_BR": "Endereço de notificações", "es": "Dirección de avisos"},
    "E-mail unseen replies after (minutes)": {
        "pt_BR": "Mandar por e-mail respostas não vistas depois de (minutos)",
        "es": "Enviar por correo las respuestas no vistas después de (minutos)"},
    "Send each resolved chat's transcript there": {
        "pt_BR": "Enviar para lá a transcrição de cada conversa resolvida",
        "es": "Enviar allí la transcripción de cada conversación resuelta"},
    "Chats nobody answered and messages left while you were away are mailed here. Empty: to "
    "the site's admins.": {
        "pt_BR": "Conversas sem resposta e mensagens deixadas enquanto vocês estavam fora vêm "
                 "para cá. Vazio: para os administradores do site.",
        "es": "Las conversaciones sin respuesta y los mensajes dejados mientras no estaban "
              "llegan aquí. Vacío: a los administradores del sitio."},
    "A reply the visitor has not read after this long is mailed to them, with a link to "
    "continue the chat (0: never).": {
        "pt_BR": "Uma resposta que o visitante não leu depois desse tempo vai para o e-mail "
                 "dele, com um link para continuar a conversa (0: nunca).",
        "es": "Una respuesta que el visitante no leyó después de este tiempo se le envía por "
              "correo, con un enlace para continuar la conversación (0: nunca)."},
    "File types visitors and agents may send": {
        "pt_BR": "Tipos de arquivo que visitantes e agentes podem enviar",
        "es": "Tipos de archivo que visitantes y agentes pueden enviar"},
    "Largest file (bytes; 0: no files)": {
        "pt_BR": "Maior arquivo (bytes; 0: nenhum arquivo)",
        "es": "Archivo más grande (bytes; 0: ningún archivo)"},
}


def main() -> None:
    for folder in sorted(LOCALE.iterdir()):
        path = folder / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
                continue
            value = TABLE.get(entry.msgid, {}).get(folder.name)
            if value is None:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0], 1: value[1]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str(path))
        missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
        print(f"{folder.name}: {len(missing)} untranslated", *missing[:5], sep="\n  ")


if __name__ == "__main__":
    main()
